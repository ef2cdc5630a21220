-- A cart being checked out (cart.repo.ts holdForCheckout): from the checkout's snapshot until its attempt is placed
-- (the cart is then completed), fails or is abandoned (released), every change to the cart answers 409
-- cart.checkout_in_progress. The mark expires by itself at checkout_until, so a process that dies mid-checkout never
-- locks a cart for ever. checkout_by names the checkout that holds it (orders' attempt id).
alter table cart.carts add column checkout_until timestamptz, add column checkout_by text;
