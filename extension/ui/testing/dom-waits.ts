// Imported by the component tests: their waits (waitFor, findBy*) end as soon as the page shows
// what they wait for, so the bound only matters on a busy machine, where testing-library's
// default second can pass before a render.

import { configure } from '@testing-library/preact';

configure({ asyncUtilTimeout: 10_000 });
