/**
 * The id map between the shop's item ids and the model's dense indices. It only grows: an item
 * keeps its index for the life of a lineage (the embedding rows are keyed by it), and a new item
 * takes the next index the moment it is first seen.
 */
export class ItemIndex {
  private readonly indexOf = new Map<string, number>();
  private readonly ids: string[];

  constructor(itemIds: readonly string[] = []) {
    this.ids = [...itemIds];
    this.ids.forEach((id, index) => this.indexOf.set(id, index));
  }

  get size(): number {
    return this.ids.length;
  }

  /** Original id of each dense index. */
  get itemIds(): readonly string[] {
    return this.ids;
  }

  get(id: string): number | undefined {
    return this.indexOf.get(id);
  }

  /** The item's index, admitting it when new. */
  admit(id: string): number {
    let index = this.indexOf.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.ids.push(id);
      this.indexOf.set(id, index);
    }
    return index;
  }
}
