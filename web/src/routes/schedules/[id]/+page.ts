import type { PageLoad } from './$types';

/** Schedule ids are positive integers; anything else is an unknown schedule, not an API error. */
export const load: PageLoad = ({ params }) => ({ id: /^[1-9]\d*$/.test(params.id) ? params.id : null });
