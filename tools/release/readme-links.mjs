// Relative Markdown links in a README point into the repository; on a registry page they must be absolute.

/**
 * Rewrites `[text](relative)` and `![alt](relative)` to `<base>/<relative>` (resolving `./` and `../`);
 * absolute URLs, anchors (`#…`) and mailto links are left alone. Code blocks are not touched.
 */
export function absolutizeLinks(markdown, base) {
  let fenced = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced) return line;
      return line.replace(/(!?\[[^\]]*\]\()([^)\s]+)(\))/g, (whole, open, target, close) =>
        isRelative(target) ? `${open}${resolveUrl(base, target)}${close}` : whole,
      );
    })
    .join("\n");
}

function isRelative(target) {
  return !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target);
}

function resolveUrl(base, target) {
  const parts = base.split("/");
  const origin = parts.slice(0, 3).join("/");
  const path = parts.slice(3);
  const [pathPart, hash = ""] = target.split("#");
  for (const seg of pathPart.split("/")) {
    if (seg === "." || seg === "") continue;
    if (seg === "..") path.pop();
    else path.push(seg);
  }
  return `${origin}/${path.join("/")}${hash ? `#${hash}` : ""}`;
}
