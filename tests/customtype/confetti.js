// The browser code of the Confetti tag type: it adds itself to the runtime's registry.
tmTypes.tags.confetti = (params, event, name, api) => {
  const burst = document.createElement("div");
  burst.dataset.confetti = params.colour;
  burst.textContent = `${name}: confetti in ${params.colour}`;
  api.pageRoot().appendChild(burst);
};
