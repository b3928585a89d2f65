/** @sentrl/compute: Backend contract (forward/backward kernel pairs), the TypeScript reference CPU backend and the backend conformance suite. */
export {};
