export async function runSim(_args: string[]): Promise<number> { return 0; }
