export declare const testAgentPackages: { agent: string; spec: string; bin: string }[];
export declare function testAgentsDir(env?: NodeJS.ProcessEnv): string;
export declare function installTestAgents(env?: NodeJS.ProcessEnv): string;
export declare function registryReachable(env?: NodeJS.ProcessEnv): boolean;
