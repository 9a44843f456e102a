// Cell tags that hide parts of a cell, as nbconvert's TagRemovePreprocessor and Jupyter Book spell
// them: remove-cell / remove_cell, remove-input, remove-output, and Jupyter Book's hide-* (which
// collapse a part behind a toggle on the web: on paper there is nothing to click, so it goes).
import { Cell } from "../notebook.js";

export interface TagRemovals {
  cell: boolean;
  input: boolean;
  output: boolean;
}

export function tagRemovals(cell: Cell): TagRemovals {
  const tags = new Set((cell.metadata.tags ?? []).map((t) => t.toLowerCase().replace(/_/g, "-").replace(/^hide-/, "remove-")));
  return { cell: tags.has("remove-cell"), input: tags.has("remove-input"), output: tags.has("remove-output") };
}
