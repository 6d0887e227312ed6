// The hub's routing index: groups of clients by format, filter and shape, and per stream key the groups whose
// filter selects it (built when a key is first seen, kept up to date as groups come and go).

import type { Filter } from '../filter.ts';
import { describeFilter, matchesKey } from '../filter.ts';
import { splitStreamKey } from '../../sdk/model.ts';
import type { Format } from './client-protocol.ts';
import type { Group, Route } from './hub-types.ts';
import type { Shape } from './shape.ts';
import { isStateType, shapeId } from './shape.ts';

/** the id of the group of a format, filter and shape: equal ids receive exactly the same frames */
export function groupId(format: Format, filter: Filter, shape: Shape): string {
  const f = describeFilter(filter);
  return `${format} ${shapeId(shape)} ${JSON.stringify([f.exchange?.sort(), f.symbol?.sort(), f.type?.sort()])}`;
}

export class GroupIndex {
  readonly groups = new Map<string, Group>();
  /** stream key → the groups whose filter matches it, built when a key is first seen */
  readonly routes = new Map<string, Route>();

  /** `tick`: an interval group's timer, every `shape.intervalMs` */
  constructor(private readonly tick: (g: Group) => void) {}

  /** the group of this format, filter and shape, made (and routed to every key it selects) if new */
  groupOf(format: Format, filter: Filter, shape: Shape): Group {
    const id = groupId(format, filter, shape);
    let g = this.groups.get(id);
    if (!g) {
      g = { id, format, filter, shape, clients: new Set(), routes: new Set(), pending: [] };
      if (shape.intervalMs !== null) {
        const group = g;
        group.conflated = new Map();
        group.timer = setInterval(() => this.tick(group), shape.intervalMs);
      }
      this.groups.set(id, g);
      for (const [key, route] of this.routes) {
        if (matchesKey(filter, key)) {
          route.groups.add(g);
          g.routes.add(key);
        }
      }
    }
    return g;
  }

  /** an empty group leaves the routing index */
  drop(g: Group): void {
    for (const key of g.routes) this.routes.get(key)?.groups.delete(g);
    clearInterval(g.timer);
    this.groups.delete(g.id);
  }

  buildRoute(key: string): Route {
    const { ty } = splitStreamKey(key);
    const route: Route = { groups: new Set(), state: isStateType(ty), book: ty === 'orderbook' };
    for (const g of this.groups.values()) {
      if (matchesKey(g.filter, key)) {
        route.groups.add(g);
        g.routes.add(key);
      }
    }
    this.routes.set(key, route);
    return route;
  }
}
