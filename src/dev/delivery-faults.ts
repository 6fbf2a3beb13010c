import type { DeliveryFault } from '../store/dev-records.js';

export type { DeliveryFault };

/**
 * Simulated delivery trouble, so apps can test their error paths: the next sends to a recipient fail
 * (the screen shows a delivery error, /passwordless/start answers `sms_provider_error`) or arrive late.
 */

export interface DeliveryFaults {
  add(fault: DeliveryFault): Promise<void>;
  /** The fault for this send, counting it down; undefined when delivery is normal. */
  take(to: string, channel: 'email' | 'sms'): Promise<DeliveryFault | undefined>;
  list(): Promise<DeliveryFault[]>;
  reset(): Promise<void>;
}

/** Where replicas keep the faults (the store's SharedState); `takeFault` counts down in one step. */
export interface SharedFaults {
  addFault(fault: DeliveryFault): Promise<void>;
  takeFault(to: string, channel: 'email' | 'sms'): Promise<DeliveryFault | undefined>;
  listFaults(): Promise<DeliveryFault[]>;
  resetFaults(): Promise<void>;
}

export class DeliveryError extends Error {
  readonly channel: 'email' | 'sms';

  /** `reason` replaces the default text (a dev-API fault) when the failure has another cause, such as a template that fails to render. */
  constructor(channel: 'email' | 'sms', to: string, reason?: string) {
    super(reason ?? `Delivery of the ${channel === 'sms' ? 'SMS' : 'email'} to ${to} failed (a fault set through /_dev/api/faults)`);
    this.name = 'DeliveryError';
    this.channel = channel;
  }
}

export function createDeliveryFaults(shared?: SharedFaults): DeliveryFaults {
  if (shared) {
    return {
      add: (fault) => shared.addFault({ ...fault }),
      take: (to, channel) => shared.takeFault(to, channel),
      list: () => shared.listFaults(),
      reset: () => shared.resetFaults(),
    };
  }
  let faults: DeliveryFault[] = [];
  return {
    async add(fault) {
      faults.push({ ...fault });
    },
    async take(to, channel) {
      const fault = faults.find((f) => f.to === to && (!f.channel || f.channel === channel));
      if (!fault) return undefined;
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
      return { ...fault };
    },
    list: async () => faults.map((f) => ({ ...f })),
    async reset() {
      faults = [];
    },
  };
}
