export declare const NVCC_FLAGS: string[];
export declare const EMU_FLAGS: string[];
export declare function kernelSources(root: string): { name: string; path: string; text: string }[];
export declare function kernelNames(text: string): string[];
export declare function sourcesHash(root: string, emulator?: boolean): string;
