// Barrel for core's plugins (filled by the issue that builds it).
export {};
