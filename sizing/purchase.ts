// The verdict as something to buy: server sizes as vendors sell them (8/16/32/64 cores,
// 32/64/128/256 GB, 1/2/4/8 TB), for each server of the recommended tier and for the smallest
// single box that would hold the horizon. Pure.
import type { Box, MonthFigures, Purchase, Tier } from './types.ts';

const CORES = [4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256];
const RAM_GB = [16, 32, 64, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048];
const DISK_TB = [0.5, 1, 2, 4, 8, 16, 32, 64];

/** The first size sold at or above `x` (beyond the list: whole multiples of its largest size). */
export function soldSize(x: number, sizes: readonly number[]): number {
  const s = sizes.find((v) => v >= x - 1e-9);
  if (s !== undefined) return s;
  const top = sizes[sizes.length - 1]!;
  return Math.ceil(x / top) * top;
}

const box = (cores: number, ramGb: number, diskTb: number): Box => ({ cores: soldSize(cores, CORES), ram_gb: soldSize(ramGb, RAM_GB), disk_tb: soldSize(diskTb, DISK_TB), disk_type: 'ssd' });

/** Servers per tier (checklist "Sizing tiers"); a large cluster has at least six, more when one 256 GB box per share is not enough. */
function serverCount(tier: Tier['name'], clusterRamGb: number): number {
  if (tier === 'single server') return 1;
  if (tier === 'micro cluster') return 2;
  if (tier === 'small cluster') return 5;
  return Math.max(6, Math.ceil(clusterRamGb / 256));
}

/**
 * `minimum`: the single box's need at the peak (physical cores, GB RAM, TB disk). A cluster tier
 * takes the model's own cluster layout at its peak (VMs with their HA copies) spread evenly over
 * its servers, and the data storage spread likewise.
 */
export function purchaseFor(tier: Tier['name'], minimum: { cores: number; ram_gb: number; disk_tb: number }, monthly: MonthFigures[], cpuOvercommit: number, floor: { cores: number; ram_gb: number; disk_tb: number }): Purchase {
  const singleBox = box(minimum.cores, minimum.ram_gb, minimum.disk_tb);
  if (tier === 'single server') {
    // the checklist's single-server minimum is the floor of what to buy for that tier
    const each = box(Math.max(minimum.cores, floor.cores), Math.max(minimum.ram_gb, floor.ram_gb), Math.max(minimum.disk_tb, floor.disk_tb));
    return { tier: { servers: 1, each, basis: `the need at the peak, at least the checklist's ${floor.cores} cores, ${floor.ram_gb} GB, ${floor.disk_tb} TB` }, singleBox };
  }
  const peak = (f: (m: MonthFigures) => number) => Math.max(0, ...monthly.map(f));
  const ram = peak((m) => m.clusterRamGb);
  const n = serverCount(tier, ram);
  const each = box(peak((m) => m.clusterCores) / cpuOvercommit / n, ram / n, minimum.disk_tb / n);
  return { tier: { servers: n, each, basis: "the model's cluster layout (with HA) at its peak, spread evenly" }, singleBox };
}

export function formatBox(b: Box): string {
  return `${b.cores} cores, ${b.ram_gb} GB RAM, ${b.disk_tb} TB ${b.disk_type.toUpperCase()}`;
}
