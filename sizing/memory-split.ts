// How the one server's RAM is split between its co-resident services (issue 16 item 2): each
// service's RAM from the model's process figures (ram_per_node × nodes, ram_model, sub-processes;
// its HA share removed), at the first month the RAM limit is crossed (else the month of peak
// RAM), against the server's RAM, with what each service grew since the first month. On a
// commcare-cloud monolith these figures are what its settings must fit in: Elasticsearch's heap
// (`elasticsearch_memory`), Redis (`redis_maxmemory`), PostgreSQL's shared buffers and work
// memory, the Formplayer JVM, Celery and gunicorn workers, pillows, Kafka and CouchDB.
import type { MemorySplit, MonthFigures, ServiceShare } from './types.ts';

export function memorySplit(monthly: MonthFigures[], sharesAt: (i: number) => ServiceShare[], ramGb: number): MemorySplit | null {
  const idx = monthly.map((_, i) => i).filter((i) => monthly[i]!.ramGb > 0);
  if (idx.length === 0) return null;
  const over = idx.find((i) => monthly[i]!.ramGb > ramGb);
  const at = over ?? idx.reduce((a, i) => (monthly[i]!.ramGb >= monthly[a]!.ramGb ? i : a), idx[0]!);
  const start = new Map(sharesAt(idx[0]!).map((s) => [s.service, s.ramGb] as const));
  const rows = sharesAt(at)
    .filter((s) => s.ramGb > 0)
    .map((s) => ({ service: s.service, ramGb: s.ramGb, startRamGb: start.get(s.service) ?? 0, growthGb: s.ramGb - (start.get(s.service) ?? 0) }))
    .sort((a, b) => b.ramGb - a.ramGb);
  const grown = [...rows].sort((a, b) => b.growthGb - a.growthGb)[0];
  // The first month one service alone needs the server's whole RAM (the largest first on a tie).
  let outgrows: MemorySplit['outgrows'] = null;
  for (const i of idx) {
    const alone = sharesAt(i).filter((s) => s.ramGb >= ramGb).sort((a, b) => b.ramGb - a.ramGb);
    if (alone.length) {
      outgrows = { month: monthly[i]!.month, services: alone.map((s) => s.service), ramGb: alone[0]!.ramGb };
      break;
    }
  }
  return {
    month: monthly[at]!.month,
    startMonth: monthly[idx[0]!]!.month,
    serverRamGb: ramGb,
    totalGb: rows.reduce((a, r) => a + r.ramGb, 0),
    rows,
    stopsFitting: over === undefined ? null : monthly[over]!.month,
    grows: grown && grown.growthGb > 0 ? grown.service : null,
    outgrows,
  };
}
