<%= it.comment %>
<% if (it.body) { -%>
static void <%= it.function %>(struct pci_dev *dev)
{
<% for (const line of it.body) { -%>
	<%= line %>
<% } -%>
}
<% } -%>
<%= it.declaration %>
