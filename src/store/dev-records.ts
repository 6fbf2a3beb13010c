/**
 * The records of the shared dev state (fixed-code rules and delivery faults) as stores keep them.
 * They are defined here, below the store, so that the store needs nothing from dev/; dev/fixed-codes.ts
 * and dev/delivery-faults.ts give them their behaviour.
 */

/** A recipient pattern and the code it always gets (dev/fixed-codes.ts). */
export interface FixedCodeRule {
  match: string;
  code: string;
  /** ISO time after which the rule no longer applies. */
  until?: string | undefined;
}

/** A simulated send failure or delay (dev/delivery-faults.ts). */
export interface DeliveryFault {
  to: string;
  channel: 'email' | 'sms' | undefined;
  kind: 'fail' | 'delay';
  delayMs: number;
  /** How many sends it still affects. */
  remaining: number;
}
