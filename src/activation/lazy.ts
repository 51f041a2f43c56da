// Stand-ins that activation registers with VS Code before the features exist: each asks for the
// features (load) the first time VS Code uses it, then hands every call to the real object.
import type * as vscode from 'vscode';
import { markViewElement } from './viewElements';

/** A place for an object the features bundle provides; get() loads the features if it is empty. */
export class Slot<T> {
  private value: T | undefined;

  constructor(
    private readonly what: string,
    private readonly load: () => void,
  ) {}

  attach(value: T): vscode.Disposable {
    this.value = value;
    return { dispose: () => this.value === value && (this.value = undefined) };
  }

  get attached(): boolean {
    return this.value !== undefined;
  }

  get(): T {
    if (this.value === undefined) this.load();
    if (this.value === undefined) throw new Error(`vsim: ${this.what} was not provided by the features bundle`);
    return this.value;
  }
}

type TreeChange<T> = T | T[] | undefined | null | void;

/** The data provider of a view created at activation: the first getChildren loads the features, whose tree it then forwards. */
export class LazyTreeProvider<T> implements vscode.TreeDataProvider<T> {
  private readonly slot: Slot<vscode.TreeDataProvider<T>>;
  private readonly listeners = new Set<(e: TreeChange<T>) => unknown>();

  constructor(what: string, load: () => void) {
    this.slot = new Slot(what, load);
  }

  readonly onDidChangeTreeData: vscode.Event<TreeChange<T>> = (listener, thisArgs, disposables) => {
    const l = (e: TreeChange<T>) => listener.call(thisArgs, e);
    this.listeners.add(l);
    const d = { dispose: () => void this.listeners.delete(l) };
    if (Array.isArray(disposables)) disposables.push(d);
    return d;
  };

  /** Hands the view to the real provider (the view has asked nothing yet: every getChildren loads it first). */
  attach(provider: vscode.TreeDataProvider<T>): vscode.Disposable {
    const detach = this.slot.attach(provider);
    const forward = provider.onDidChangeTreeData?.((e) => this.fire(e));
    return { dispose: () => { forward?.dispose(); detach.dispose(); } };
  }

  /** What VS Code receives is marked as a view's element: commands called with it know they came from a menu. */
  async getChildren(element?: T): Promise<T[] | undefined> {
    const children = await this.slot.get().getChildren(element);
    return children ? children.map(markViewElement) : undefined;
  }

  getTreeItem(element: T): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.slot.get().getTreeItem(element);
  }

  async getParent(element: T): Promise<T | undefined> {
    const parent = await this.slot.get().getParent?.(element);
    return parent === null || parent === undefined ? undefined : markViewElement(parent);
  }

  private fire(e: TreeChange<T>): void {
    for (const l of [...this.listeners]) l(e);
  }
}
