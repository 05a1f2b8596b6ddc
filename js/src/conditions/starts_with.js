export default (text, value) => text.startsWith(value);
