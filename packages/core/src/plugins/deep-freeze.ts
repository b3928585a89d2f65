/**
 * Freezes an object graph in place (typed arrays and other ArrayBuffer views cannot be frozen and are left as
 * they are; give observers copies of them). Returns its argument.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value as object)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
