/**
 * A tenant's Actions as Understudy runs them: the code of each deployed action and, per trigger, the
 * actions bound to it in order. Built at start-up from the export's `actions` and `triggers`.
 */
export const ACTION_TRIGGERS = ['post-login', 'credentials-exchange', 'pre-user-registration', 'post-user-registration', 'post-change-password'] as const;
export type ActionTrigger = (typeof ACTION_TRIGGERS)[number];

export interface TenantAction {
  name: string;
  code: string;
  /** The file the code was read from, or `<tenant file>#actions[i]` for inline code. */
  file: string;
  /** The folder whose node_modules `require` resolves the action's dependencies from. */
  requireFrom: string;
  dependencies: { name: string; version: string }[];
  /** event.secrets: the export's values, then the overlay's and the keyword mappings'. */
  secrets: Record<string, string>;
  /**
   * Why the action cannot run (its npm packages are not installed beside the export), with the command
   * that fixes it: each login through it fails with this message instead. Undefined when it can run.
   */
  unavailable: string | undefined;
}

export interface TenantActions {
  /** Every action that is deployed and bound to a trigger, by name. */
  actions: TenantAction[];
  /** Per trigger, the bound actions' names in the order the trigger runs them. */
  bindings: Record<ActionTrigger, string[]>;
}

export const NO_ACTIONS: TenantActions = {
  actions: [],
  bindings: { 'post-login': [], 'credentials-exchange': [], 'pre-user-registration': [], 'post-user-registration': [], 'post-change-password': [] },
};
