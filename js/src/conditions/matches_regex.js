export default (text, value) => RegExp(value).test(text);
