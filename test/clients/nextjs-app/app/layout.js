export const metadata = { title: 'nextjs-auth0 on Understudy' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
