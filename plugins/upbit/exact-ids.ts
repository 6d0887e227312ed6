// Quotes integer trade ids in the raw JSON text before parsing, so ids beyond 2^53 keep every digit.
//
// JSON.parse turns 9007199254740993 into 9007199254740992; Node 20 has no access to a number's source text
// in a reviver, so the literal is turned into a string first. Only a key spelled exactly "sid" or
// "sequential_id" followed by a valid JSON integer is touched; inside a JSON string such a key cannot
// appear unescaped, so string contents are left alone. Anything else (a float, a negative number) stays a
// number and is rejected by readId().

const ID_LITERAL = /"(sid|sequential_id)"(\s*:\s*)(0|[1-9][0-9]*)(?=\s*[,}\]])/g;

export function quoteIds(text: string): string {
  return text.replace(ID_LITERAL, '"$1"$2"$3"');
}
