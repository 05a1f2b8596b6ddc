// The shop reports standard events; the tag manager decides which tags hear them.
(function () {
  var item = "SKU-42";
  var status = document.getElementById("status");
  window.tm = window.tm || [];
  tm.push({ event: "view_item", item_id: item, value: 149.0, currency: "USD" });
  document.getElementById("add-to-cart").addEventListener("click", function () {
    tm.push({ event: "add_to_cart", item_id: item, value: 149.0, currency: "USD", quantity: 1 });
    status.textContent = "Added to cart.";
  });
  document.getElementById("buy").addEventListener("click", function () {
    var orderId = "ORDER-" + Date.now();
    tm.push({
      event: "purchase",
      order_id: orderId,
      value: 149.0,
      currency: "USD",
      items: [{ item_id: item, quantity: 1, price: 149.0 }],
    });
    status.textContent = "Thank you! Order " + orderId + ".";
  });
})();
