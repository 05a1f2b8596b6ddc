// Compared as numbers (the other operators compare text).
export default (text, value) => parseFloat(text) < value;
