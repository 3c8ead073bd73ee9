// The machine a run measured on, from the os module, as the report prints it.
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

/** What the report says about the machine. */
export interface MachineDescription {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average when the run started: a busy machine gives noisy numbers. */
  readonly loadAverage: number;
}

/**
 * Describes this machine.
 *
 * @example
 * describeMachine().cpu // 'AMD EPYC 7B13'
 */
export function describeMachine(): MachineDescription {
  const list = cpus();
  const first = list[0];
  return {
    cpu: first === undefined ? 'unknown CPU' : `${first.model.trim()}${first.speed > 0 ? ` @ ${first.speed} MHz` : ''}`,
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} (${arch()})`,
    node: process.version,
    loadAverage: loadavg()[0] ?? 0,
  };
}

/** One line: `2 × AMD EPYC … , 23.5 GiB, linux 6.1 (x64), Node v20.20.2, load 1.20`. */
export function machineLine(machine: MachineDescription): string {
  return `${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}, load average ${machine.loadAverage.toFixed(2)} at start`;
}
