// Routes (TanStack Router, code-based): /sign-in outside the shell; every other page inside it, signed in.
import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent as lazy,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { session } from './auth/session.ts';
import { Overview } from './pages/Overview.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Shell } from './ui/Shell.tsx';

// Sign-in, the shell and the overview are in the first bundle; each other section loads when first opened.
const Products = lazy(() => import('./pages/Products.tsx'), 'Products');
const ProductNew = lazy(() => import('./pages/ProductNew.tsx'), 'ProductNew');
const ProductEdit = lazy(() => import('./pages/ProductEdit.tsx'), 'ProductEdit');
const Inventory = lazy(() => import('./pages/Inventory.tsx'), 'Inventory');
const Orders = lazy(() => import('./pages/Orders.tsx'), 'Orders');
const OrderDetail = lazy(() => import('./pages/OrderDetail.tsx'), 'OrderDetail');
const Coupons = lazy(() => import('./pages/Coupons.tsx'), 'Coupons');

const root = createRootRoute({ component: Outlet });

const signIn = createRoute({ getParentRoute: () => root, path: '/sign-in', component: SignIn });

const shell = createRoute({
  getParentRoute: () => root,
  id: 'shell',
  component: Shell,
  beforeLoad: () => {
    if (!session.user()) throw redirect({ to: '/sign-in' });
  },
});

const overview = createRoute({ getParentRoute: () => shell, path: '/', component: Overview });
const products = createRoute({ getParentRoute: () => shell, path: '/products', component: Products });
const productNew = createRoute({ getParentRoute: () => shell, path: '/products/new', component: ProductNew });
const productEdit = createRoute({ getParentRoute: () => shell, path: '/products/$productId', component: ProductEdit });
const inventory = createRoute({
  getParentRoute: () => shell,
  path: '/inventory',
  component: Inventory,
  validateSearch: (s: Record<string, unknown>): { variant?: string } =>
    typeof s.variant === 'string' ? { variant: s.variant } : {},
});
const orders = createRoute({ getParentRoute: () => shell, path: '/orders', component: Orders });
const orderDetail = createRoute({ getParentRoute: () => shell, path: '/orders/$orderId', component: OrderDetail });
const coupons = createRoute({ getParentRoute: () => shell, path: '/coupons', component: Coupons });

const routeTree = root.addChildren([
  signIn,
  shell.addChildren([overview, products, productNew, productEdit, inventory, orders, orderDetail, coupons]),
]);

export const router = createRouter({ routeTree, basepath: '/admin', defaultPreload: false });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
