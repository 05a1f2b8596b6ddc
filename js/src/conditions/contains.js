export default (text, value) => text.includes(value);
