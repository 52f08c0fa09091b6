// The wallpapers the shop sells: small SVG files drawn from a three-colour palette, so the demo
// ships real downloadable goods without binary assets.

const WIDTH = 1920;
const HEIGHT = 1080;
const BANDS = 5;

export function wallpaperSvg(title: string, palette: readonly [string, string, string]): string {
  const [sky, first, second] = palette;
  const bands = Array.from({ length: BANDS }, (_, band) => {
    const top = 300 + band * 130;
    const wave = 60 + band * 25;
    const colour = band % 2 === 0 ? first : second;
    const opacity = (0.85 - band * 0.12).toFixed(2);
    return `<path d="M0 ${top} C ${WIDTH * 0.3} ${top - wave}, ${WIDTH * 0.6} ${top + wave}, ${WIDTH} ${top - wave / 2} L ${WIDTH} ${HEIGHT} L 0 ${HEIGHT} Z" fill="${colour}" fill-opacity="${opacity}"/>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="${sky}"/>`,
    ...bands,
    '</svg>',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
