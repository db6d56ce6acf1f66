/** One benchmark figure, as printed in the table of docs/benchmarks.md. */
export interface BenchResult {
  readonly name: string;
  readonly value: string;
  readonly goal: string;
  readonly met: boolean;
}
