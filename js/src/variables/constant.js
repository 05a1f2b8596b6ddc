export default (params) => params.value;
