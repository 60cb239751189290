// The training stories: every plot of plots.ts told several times with seeded random wordings, in a shuffled order.
// generate.ts writes them to train.txt; the corpus test checks that train.txt still equals what this gives.
import { PLOTS } from "./plots.js";
import { Rand } from "./rand.js";

const SEED = 20240611;
const TELLINGS_PER_PLOT = 3;
/** Draws allowed per telling before a plot is declared too small to give that many different stories. */
const MAX_DRAWS = 50;

function tell(plot: (typeof PLOTS)[number], r: Rand): string {
  return plot(r)
    .filter((s): s is string => s !== null && s.length > 0)
    .join(" ");
}

/** All training stories, in a fixed shuffled order. Throws if a plot cannot give enough different tellings. */
export function trainStories(): string[] {
  const r = new Rand(SEED);
  const seen = new Set<string>();
  const stories: string[] = [];
  PLOTS.forEach((plot, index) => {
    for (let telling = 0; telling < TELLINGS_PER_PLOT; telling++) {
      let story: string | undefined;
      for (let draw = 0; draw < MAX_DRAWS && story === undefined; draw++) {
        const candidate = tell(plot, r);
        if (!seen.has(candidate)) story = candidate;
      }
      if (story === undefined) throw new Error(`plot #${index} gave fewer than ${TELLINGS_PER_PLOT} different stories`);
      seen.add(story);
      stories.push(story);
    }
  });
  return r.shuffle(stories);
}
