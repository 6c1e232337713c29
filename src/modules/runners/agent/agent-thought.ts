import { randomUUID } from 'node:crypto';

/** One step of an agent turn as it is streamed (`agent_thought`) and stored. */
export interface AgentThought {
  id: string;
  /** 1-based. */
  position: number;
  /** What the model said in this step (its reasoning, or the answer in the last step). */
  thought: string;
  /** Tool names called in this step, `a;b`; empty when none. */
  tool: string;
  toolLabels: Record<string, Record<string, string>>;
  /** JSON text `{tool: arguments}`; empty when no tool was called. */
  toolInput: string;
  /** JSON text `{tool: result}`; empty until the tools have answered. */
  observation: string;
  files: string[];
  createdAt: Date;
}

export function newThought(position: number): AgentThought {
  return {
    id: randomUUID(),
    position,
    thought: '',
    tool: '',
    toolLabels: {},
    toolInput: '',
    observation: '',
    files: [],
    createdAt: new Date(),
  };
}
