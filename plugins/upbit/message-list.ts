// Upbit's list frames (JSON_LIST / SIMPLE_LIST, public and private): each element is a message of its own, so a
// bad one does not drop the others; the first failure is thrown once all were tried.

export function eachMessage(list: readonly unknown[], mapOne: (msg: unknown) => void): void {
  let failure: { err: unknown } | undefined;
  for (const item of list) {
    try {
      mapOne(item);
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}
