import { ensureBuild } from './build.ts';
import { chromiumPath } from './browser.ts';

export default function setup(): void {
  // Fail early with a clear message rather than in every test.
  chromiumPath();
  ensureBuild();
}
