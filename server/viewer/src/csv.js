// CSV export of a feature list (RFC 4180, UTF-8 with a byte order mark so
// spreadsheet programs read the Vietnamese text right).

function cell(value) {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : String(value);
  // A text cell starting with = + - @ would run as a spreadsheet formula.
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

// Return the CSV text: one column per property (first-seen order), one row
// per feature.
export function featuresToCsv(features) {
  const columns = [];
  for (const feature of features) {
    for (const name of Object.keys(feature.properties || {})) {
      if (!columns.includes(name)) columns.push(name);
    }
  }
  const lines = [columns.map(cell).join(',')];
  for (const feature of features) {
    lines.push(columns.map((name) => cell(feature.properties?.[name])).join(','));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export function downloadText(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
