/** The dummy's Prometheus metrics, with the seed service's names so dashboards keep working. */
import { Counter, Gauge, type Registry } from 'prom-client';
import { statusNames, type EventName, type StatusName } from '../protocol/types.js';

export interface DummyMetrics {
  event(name: EventName): void;
  ping(): void;
  pong(): void;
  status(current: StatusName): void;
  invalidCommand(): void;
}

export function createDummyMetrics(registry: Registry): DummyMetrics {
  const events = new Counter({
    name: 'dummy_events_total',
    help: 'Events sent to the events topic, by event',
    labelNames: ['event'],
    registers: [registry],
  });
  const pings = new Counter({ name: 'dummy_pings_total', help: 'Ping commands received for this queue', registers: [registry] });
  const pongs = new Counter({ name: 'dummy_pongs_total', help: 'Pong events sent', registers: [registry] });
  const status = new Gauge({
    name: 'dummy_status_last',
    help: '1 for the current status, 0 for the others',
    labelNames: ['status'],
    registers: [registry],
  });
  const invalid = new Counter({
    name: 'dummy_invalid_commands_total',
    help: 'Messages on the control topic that were not valid commands',
    registers: [registry],
  });
  for (const s of statusNames) status.set({ status: s }, 0);
  return {
    event: (name) => events.inc({ event: name }),
    ping: () => pings.inc(),
    pong: () => pongs.inc(),
    status: (current) => {
      for (const s of statusNames) status.set({ status: s }, s === current ? 1 : 0);
    },
    invalidCommand: () => invalid.inc(),
  };
}
