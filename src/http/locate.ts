// Locating a line: its lamp blinks distinctively for 30 s so a person finds
// its port on the box (`persomux leds --locate`, the page's Locate button).
// The route is an operator action like the others (src/http/actions.ts:
// POST, credentials, the TLS rule); the composition root passes in the
// front panel's locate function.
export const LOCATE_PATH = '/actions/locate';

export type Locate = (line: string) => { until: number; ms: number } | undefined;
