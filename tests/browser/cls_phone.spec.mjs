// cls_phone.spec.mjs - no layout shift on the main pages of every role on
// a 390x844 phone: the cumulative layout shift that the page's own
// PerformanceObserver measures over a whole load stays under 0.05.
import { test } from './lib.mjs';
import { clsCases, setUp } from './look_lib.mjs';

test('set-up: an open section with the learner enrolled, taught by the instructor', setUp);
clsCases(true);
