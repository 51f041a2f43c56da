// Which objects a vsim view handed to VS Code: a command called with one of them as its first
// argument was chosen from a view's menu (VS Code passes the clicked element, then the selection
// only when several rows are selected). Symbol.for: the activation bundle marks, the features
// bundle reads. Pure (no vscode).

const FROM_VIEW = Symbol.for('vsim.viewElement');

/** Marks a tree element as handed out by a view (not enumerable: comparisons and JSON do not see it). */
export function markViewElement<T>(element: T): T {
  if (element && typeof element === 'object' && !Object.hasOwn(element, FROM_VIEW)) {
    Object.defineProperty(element, FROM_VIEW, { value: true, enumerable: false });
  }
  return element;
}

export function isViewElement(x: unknown): boolean {
  return !!x && typeof x === 'object' && (x as { [FROM_VIEW]?: unknown })[FROM_VIEW] === true;
}
