export default (text, value) => text.endsWith(value);
