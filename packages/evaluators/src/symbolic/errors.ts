/** Thrown when an answer cannot be parsed as mathematics (the checker then compares normalised strings). */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

/** Thrown when an item exceeds its time budget or a size bound. */
export class BudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BudgetError";
  }
}
