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
const ProductImport = lazy(() => import('./pages/ProductImport.tsx'), 'ProductImport');
const Inventory = lazy(() => import('./pages/Inventory.tsx'), 'Inventory');
const Orders = lazy(() => import('./pages/Orders.tsx'), 'Orders');
const OrderDetail = lazy(() => import('./pages/OrderDetail.tsx'), 'OrderDetail');
const Coupons = lazy(() => import('./pages/Coupons.tsx'), 'Coupons');
const Customers = lazy(() => import('./pages/Customers.tsx'), 'Customers');
const CustomerDetail = lazy(() => import('./pages/CustomerDetail.tsx'), 'CustomerDetail');
const TaxShipping = lazy(() => import('./pages/TaxShipping.tsx'), 'TaxShipping');
const Staff = lazy(() => import('./pages/Staff.tsx'), 'Staff');
const Webhooks = lazy(() => import('./pages/Webhooks.tsx'), 'Webhooks');
const WebhookDetail = lazy(() => import('./pages/WebhookDetail.tsx'), 'WebhookDetail');
const Notifications = lazy(() => import('./pages/Notifications.tsx'), 'Notifications');
const Jobs = lazy(() => import('./pages/Jobs.tsx'), 'Jobs');
const Promotions = lazy(() => import('./pages/Promotions.tsx'), 'Promotions');

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
const productImport = createRoute({ getParentRoute: () => shell, path: '/products/import', component: ProductImport });
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
const customers = createRoute({ getParentRoute: () => shell, path: '/customers', component: Customers });
const customerDetail = createRoute({
  getParentRoute: () => shell,
  path: '/customers/$userId',
  component: CustomerDetail,
});
const taxShipping = createRoute({ getParentRoute: () => shell, path: '/tax-shipping', component: TaxShipping });
const staff = createRoute({ getParentRoute: () => shell, path: '/staff', component: Staff });
const webhooks = createRoute({ getParentRoute: () => shell, path: '/webhooks', component: Webhooks });
const webhookDetail = createRoute({
  getParentRoute: () => shell,
  path: '/webhooks/$endpointId',
  component: WebhookDetail,
});
const notifications = createRoute({ getParentRoute: () => shell, path: '/notifications', component: Notifications });
const jobs = createRoute({ getParentRoute: () => shell, path: '/jobs', component: Jobs });
const promotions = createRoute({ getParentRoute: () => shell, path: '/promotions', component: Promotions });

const routeTree = root.addChildren([
  signIn,
  shell.addChildren([
    overview,
    products,
    productNew,
    productImport,
    productEdit,
    inventory,
    orders,
    orderDetail,
    coupons,
    customers,
    customerDetail,
    taxShipping,
    staff,
    webhooks,
    webhookDetail,
    notifications,
    jobs,
    promotions,
  ]),
]);

export const router = createRouter({ routeTree, basepath: '/admin', defaultPreload: false });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
