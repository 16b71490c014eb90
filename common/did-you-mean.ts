// "did you mean …?" for a misspelt key or flag: the closest known name by edit distance, when it is
// close enough to be a typo (a third of the word, at least 2 edits; 1 for words of 3 letters or less).

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known name closest to `word`, or undefined when none is close enough to be a typo of it. */
export function closestName(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return bestD <= (word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3))) ? best : undefined;
}

/** ` (did you mean X?)` for a message, or '' when nothing is close. */
export function didYouMean(word: string, known: Iterable<string>, prefix = ''): string {
  const c = closestName(word, known);
  return c === undefined ? '' : ` (did you mean ${prefix}${c}?)`;
}
