/** What a run of the function produces: the text for stdout and the results behind the exit code. */
import type { Result } from "../results.js";

export interface Outcome {
  output: string;
  results: Result[];
}
