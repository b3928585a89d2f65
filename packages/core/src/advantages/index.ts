// Barrel for core's advantages (filled by the issue that builds it).
export {};
