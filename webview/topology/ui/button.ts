// A toolbar/form button (toolkit <vscode-button>).
export interface ButtonOptions {
  label: string;
  title: string;
  onClick: () => void;
  appearance?: 'primary' | 'secondary' | 'icon';
  id?: string;
}

export interface Button {
  element: HTMLElement;
  setDisabled(d: boolean): void;
  setPressed(p: boolean): void;
  setLabel(label: string): void;
}

export function button(o: ButtonOptions): Button {
  const b = document.createElement('vscode-button');
  b.setAttribute('appearance', o.appearance ?? 'secondary');
  b.setAttribute('title', o.title);
  b.setAttribute('aria-label', o.title);
  if (o.id) b.id = o.id;
  b.textContent = o.label;
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) o.onClick();
  });
  return {
    element: b,
    setDisabled: (d) => (d ? b.setAttribute('disabled', '') : b.removeAttribute('disabled')),
    setPressed: (p) => b.setAttribute('aria-pressed', String(p)),
    setLabel: (l) => (b.textContent = l),
  };
}
