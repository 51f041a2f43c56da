// A small keyboard-usable context menu (role=menu; arrows move, Enter runs, Escape closes).
export interface MenuItem {
  label: string;
  run: () => void;
  disabled?: boolean;
}

let open: HTMLElement | undefined;

export function closeMenu(): void {
  open?.remove();
  open = undefined;
}

export function showMenu(container: HTMLElement, x: number, y: number, items: MenuItem[]): void {
  closeMenu();
  const menu = document.createElement('div');
  menu.className = 'context-menu';
  menu.setAttribute('role', 'menu');
  menu.style.left = `${x}px`;
  menu.style.top = `${y}px`;
  const buttons: HTMLButtonElement[] = [];
  for (const it of items) {
    const b = document.createElement('button');
    b.setAttribute('role', 'menuitem');
    b.textContent = it.label;
    b.disabled = !!it.disabled;
    b.addEventListener('click', () => {
      closeMenu();
      it.run();
    });
    buttons.push(b);
    menu.append(b);
  }
  menu.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') closeMenu();
    else if (e.key === 'ArrowDown') buttons[(i + 1) % buttons.length]?.focus();
    else if (e.key === 'ArrowUp') buttons[(i - 1 + buttons.length) % buttons.length]?.focus();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  container.append(menu);
  open = menu;
  buttons.find((b) => !b.disabled)?.focus();
  setTimeout(() => document.addEventListener('pointerdown', (e) => !menu.contains(e.target as Node) && closeMenu(), { once: true }));
}
