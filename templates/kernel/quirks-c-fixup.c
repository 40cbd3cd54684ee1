<%= it.comment %>
<% if (it.kind === 'no-d3' || it.kind === 'd3hot-delay') { -%>
static void <%= it.function %>(struct pci_dev *dev)
{
<% if (it.kind === 'no-d3') { -%>
	dev->dev_flags |= PCI_DEV_FLAGS_NO_D3;
<% } else { -%>
	quirk_d3hot_delay(dev, <%= it.ms %>);
<% } -%>
}
<% } -%>
<%= it.declaration %>
