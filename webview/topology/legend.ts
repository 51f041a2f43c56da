// The graph's legend: what each node icon, state badge and link style means, drawn with the same icons
// as the canvas (so it follows the theme). Small, in the canvas's corner; hidden and shown from the
// toolbar or its own ✕, and the choice is kept with the view's state.
import type { LiveState } from '../protocol';
import { hostIcon, linkIcon, networkIcon, readPalette, slotIcon, stateIcon, vmIcon, type Palette } from './theme';
import { el } from './ui/toolkit';

const STATES: LiveState[] = ['running', 'stopped', 'paused', 'unknown'];

function item(src: string, label: string, h = 18): HTMLElement {
  return el('li', {}, el('img', { src, alt: '', height: String(h) }), el('span', {}, label));
}

function entries(p: Palette): HTMLElement[] {
  return [
    item(hostIcon(p, false), 'host'),
    item(hostIcon(p, true), 'collapsed'),
    item(networkIcon(p, false), 'bridge'),
    item(networkIcon(p, true), 'OVS'),
    item(slotIcon(p), 'slot'),
    item(vmIcon(p, 'libvirt', 'x86_64', 'unknown'), 'VM: LV libvirt, Q qemu,'),
    item(vmIcon(p, 'microvm', 'aarch64', 'unknown'), 'μ microvm, CH cloud-hypervisor; arm'),
    ...STATES.map((s) => item(stateIcon(p, s), s, 14)),
    item(linkIcon(p, 'impaired'), 'impaired', 10),
    item(linkIcon(p, 'partitioned'), 'partitioned', 10),
  ];
}

export interface Legend {
  element: HTMLElement;
  setShown(on: boolean): void;
  shown(): boolean;
  retheme(): void;
}

export function createLegend(onToggle: (shown: boolean) => void): Legend {
  const list = el('ul', {});
  const close = el('button', { class: 'legend-close', title: 'Hide the legend', 'aria-label': 'Hide the legend' }, '✕');
  const root = el('section', { class: 'legend', id: 'legend', 'aria-label': 'Legend' }, close, list);
  const fill = () => list.replaceChildren(...entries(readPalette()));
  fill();
  const legend: Legend = {
    element: root,
    setShown: (on) => {
      root.hidden = !on;
      onToggle(on);
    },
    shown: () => !root.hidden,
    retheme: fill,
  };
  close.addEventListener('click', () => legend.setShown(false));
  return legend;
}
