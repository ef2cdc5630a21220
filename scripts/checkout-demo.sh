#!/usr/bin/env bash
# Places an order against a running Emporium (npm start) with curl: browse → cart → address → shipping → order → paid.
# Usage: bash scripts/checkout-demo.sh   (API=http://host:port to point elsewhere). Needs curl and node.
set -e
API=${API:-http://127.0.0.1:3000}
# 1. browse: the first in-stock variant
VARIANT=$(curl -s "$API/v1/products?limit=20" | node -e 'const p=JSON.parse(require("fs").readFileSync(0));console.log(p.items.flatMap(x=>x.variants).find(v=>v.inStock).id)')
# 2. a guest cart: keep its id and token
CART_JSON=$(curl -s -X POST "$API/v1/carts" -H 'content-type: application/json' -d '{"currency":"EUR","country":"DE"}')
CART=$(echo "$CART_JSON" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).id)')
TOKEN=$(echo "$CART_JSON" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).token)')
# 3. an item, then email and address (tax follows the address), then a shipping option
curl -s -X POST "$API/v1/carts/$CART/items" -H 'content-type: application/json' -H "X-Cart-Token: $TOKEN" \
  -d "{\"variantId\":\"$VARIANT\",\"quantity\":1}" > /dev/null
curl -s -X PATCH "$API/v1/carts/$CART" -H 'content-type: application/json' -H "X-Cart-Token: $TOKEN" \
  -d '{"email":"ada@example.com","shippingAddress":{"name":"Ada Lovelace","line1":"Unter den Linden 1","city":"Berlin","postalCode":"10117","country":"DE"}}' > /dev/null
METHOD=$(curl -s "$API/v1/carts/$CART/shipping-options" -H "X-Cart-Token: $TOKEN" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).items[0].id)')
curl -s -X PATCH "$API/v1/carts/$CART" -H 'content-type: application/json' -H "X-Cart-Token: $TOKEN" \
  -d "{\"shippingMethodId\":\"$METHOD\"}" | node -e 'const c=JSON.parse(require("fs").readFileSync(0));console.log("cart totals", JSON.stringify(c.totals))'
# 4. place the order (the sandbox token tok_visa succeeds); keep the order id and token
ORDER_JSON=$(curl -s -X POST "$API/v1/orders" -H 'content-type: application/json' -H "X-Cart-Token: $TOKEN" \
  -H "Idempotency-Key: $(node -e 'console.log(crypto.randomUUID())')" \
  -d "{\"cartId\":\"$CART\",\"payment\":{\"provider\":\"sandbox\",\"token\":\"tok_visa\"}}")
ORDER=$(echo "$ORDER_JSON" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).id)')
ORDER_TOKEN=$(echo "$ORDER_JSON" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).orderToken)')
echo "$ORDER_JSON" | node -e 'const o=JSON.parse(require("fs").readFileSync(0));console.log("order", o.number, o.status)'
# 5. read it back (a guest sends the order token): paid, payment captured (PAYMENT_CAPTURE=immediate)
sleep 2
curl -s "$API/v1/orders/$ORDER" -H "X-Order-Token: $ORDER_TOKEN" | node -e 'const o=JSON.parse(require("fs").readFileSync(0));console.log("order", o.number, o.status, "payment", o.payment.status)'
