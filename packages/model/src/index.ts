/** @sentrl/model: Qwen2-family decoder on any @sentrl/compute Backend: Hugging Face safetensors/config loading, forward, scoring. */
export {};
