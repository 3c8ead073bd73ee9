export function est(text){
  let t = 0; let run = 0; let ws = 0; let prev = 0; // 0 none,1 lower,2 upper,3 digit
  const piece = () => { if (run) { t += prev === 3 ? Math.ceil(run / 3) : run <= 12 ? Math.ceil(run / 4) : 3 + Math.ceil((run - 12) * 0.8); run = 0; } };
  const space = (followedByWord) => { if (ws) { if (!(ws === 1 && followedByWord)) t += Math.ceil(ws / 4); ws = 0; } };
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    const kind = cp>=48&&cp<=57 ? 3 : cp>=97&&cp<=122 ? 1 : cp>=65&&cp<=90 ? 2 : 0;
    if (kind) {
      space(true);
      if (run && (kind === 3) !== (prev === 3)) piece();
      else if (run && kind === 2 && prev === 1) piece();
      prev = kind; run++; continue;
    }
    piece(); prev = 0;
    if (cp===32||cp===9||cp===10||cp===13) { ws++; continue; }
    space(false);
    if (cp < 0x800) t += 1; else if (cp < 0x10000) t += 2; else t += 3;
  }
  piece(); space(false);
  return Math.ceil(t);
}
